/**
 * Incident actions of the city data bureau (应急处置): suspend a party, freeze a resource, revoke a
 * grant, revoke a certificate; each publishes an emergency bundle at once, and so does lifting one.
 */
@NullMarked
package io.shulian.hub.action;

import org.jspecify.annotations.NullMarked;
