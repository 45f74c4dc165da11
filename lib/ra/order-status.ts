// RFC 8555 §7.1.6: an order's status follows from its authorizations and its expiry while it
// is pending or ready; processing and valid are set by finalization only. Pure, so that it can
// be tested exhaustively (pebble Order.GetStatus, smallstep Order.UpdateStatus).

export type OrderStatus = "pending" | "ready" | "processing" | "valid" | "invalid";
export type AuthorizationStatus = "pending" | "valid" | "invalid" | "deactivated" | "expired" | "revoked";

export function deriveOrderStatus(o: {
  stored: OrderStatus;
  expiresAt: Date;
  authorizations: { status: AuthorizationStatus; expiresAt: Date }[];
  now: Date;
}): OrderStatus {
  if (o.stored === "valid" || o.stored === "invalid" || o.stored === "processing") return o.stored;
  // §7.1.6: "invalid" once the order expired or one of its authorizations failed.
  if (o.expiresAt <= o.now) return "invalid";
  const statuses = o.authorizations.map((a) => effectiveAuthorizationStatus(a, o.now));
  if (statuses.some((s) => s !== "pending" && s !== "valid")) return "invalid";
  if (statuses.length > 0 && statuses.every((s) => s === "valid")) return "ready";
  return "pending";
}

/** §7.1.6: a pending or valid authorization past its expiry is expired. */
export function effectiveAuthorizationStatus(
  a: { status: AuthorizationStatus; expiresAt: Date },
  now: Date,
): AuthorizationStatus {
  if ((a.status === "pending" || a.status === "valid") && a.expiresAt <= now) return "expired";
  return a.status;
}
