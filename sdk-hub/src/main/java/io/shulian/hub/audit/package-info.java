/**
 * The hub's one path to its tamper-evident audit log ({@link io.shulian.hub.audit.HubAudit}): every
 * state change of the hub (publish, incident action, application, objection, catalog review) is
 * appended here before its database transaction commits, so no change is committed without its
 * record.
 */
@NullMarked
package io.shulian.hub.audit;

import org.jspecify.annotations.NullMarked;
