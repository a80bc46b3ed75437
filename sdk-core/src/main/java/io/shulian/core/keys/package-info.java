/**
 * Key material of a party: its signing and encryption keys (PKCS#12), its certificates (PEM), key
 * ids and the two cryptographic suites, INTL and GM.
 */
@NullMarked
package io.shulian.core.keys;

import org.jspecify.annotations.NullMarked;
