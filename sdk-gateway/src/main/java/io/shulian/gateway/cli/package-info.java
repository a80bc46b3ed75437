/**
 * The {@code shulian} command line: one picocli command per task (keygen, seal, open, ...), with
 * stable exit codes: 0 success, 1 other failure, 2 usage error, 3 rejected envelope, certificate
 * or bundle, 4 policy denied.
 */
@NullMarked
package io.shulian.gateway.cli;

import org.jspecify.annotations.NullMarked;
