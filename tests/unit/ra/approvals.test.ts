// The rules of approvals (lib/ra/approvals.ts), pure: a request's state at a time, the state after
// a decision, who may decide (approvers; administrators where the profile says so; once per person;
// nobody on a request whose contacts name them unless the profile allows it), and what a client is
// told, in the spec's words.
import { describe, expect, it } from "vitest";
import {
  approvalProfileFieldsSchema,
  DEFAULT_APPROVAL_PROFILE_FIELDS,
} from "@/lib/ra/approval-profile-fields";
import {
  type ApprovalFacts,
  approvalSentProblem,
  approvalStateProblem,
  approvalStatusAt,
  benefitsFrom,
  type Decider,
  decisionRefusal,
  statusAfterDecision,
} from "@/lib/ra/approvals";

const NOW = new Date("2026-12-01T12:00:00Z");
const HOUR = 3_600_000;

const request = (o: Partial<ApprovalFacts> = {}): ApprovalFacts => ({
  id: 7,
  kind: "registration",
  status: "pending",
  expiresAt: new Date(NOW.getTime() + HOUR),
  approvalsRequired: 1,
  administratorsMayApprove: false,
  selfApprovalAllowed: false,
  contact: ["mailto:client@example.test"],
  ...o,
});

const approver: Decider = { userId: "u1", username: "alice", asApprover: true, asAdministrator: false };
const administrator: Decider = { userId: "u2", username: "root", asApprover: false, asAdministrator: true };
const auditor: Decider = { userId: "u3", username: "audrey", asApprover: false, asAdministrator: false };

describe("approvalStatusAt", () => {
  it("ok/pending until its expiry, expired from the expiry on; decided states stay", () => {
    expect(approvalStatusAt(request(), NOW)).toBe("pending");
    expect(approvalStatusAt(request({ expiresAt: NOW }), NOW)).toBe("expired");
    expect(approvalStatusAt(request({ expiresAt: new Date(NOW.getTime() - 1) }), NOW)).toBe("expired");
    for (const status of ["approved", "rejected", "expired"] as const) {
      expect(approvalStatusAt(request({ status, expiresAt: new Date(0) }), NOW)).toBe(status);
    }
  });
});

describe("statusAfterDecision", () => {
  it("ok/one rejection ends a request, whatever approvals it had", () => {
    const req = request({ approvalsRequired: 3 });
    expect(statusAfterDecision(req, [{ userId: "a", verdict: "approve" }], "reject")).toBe("rejected");
  });

  it("ok/approved when the approvals reach the number required, not before", () => {
    const req = request({ approvalsRequired: 3 });
    expect(statusAfterDecision(req, [], "approve")).toBe("pending");
    expect(statusAfterDecision(req, [{ userId: "a", verdict: "approve" }], "approve")).toBe("pending");
    expect(
      statusAfterDecision(
        req,
        [
          { userId: "a", verdict: "approve" },
          { userId: "b", verdict: "approve" },
        ],
        "approve",
      ),
    ).toBe("approved");
    expect(statusAfterDecision(request(), [], "approve")).toBe("approved");
  });
});

describe("decisionRefusal", () => {
  it("ok/an approver decides a pending request", () => {
    expect(decisionRefusal(request(), [], approver, NOW)).toBeNull();
  });

  it("fail/a request that is not pending any more (decided or expired) → 409", () => {
    for (const req of [
      request({ status: "approved" }),
      request({ status: "rejected" }),
      request({ expiresAt: new Date(NOW.getTime() - 1) }),
    ]) {
      const problem = decisionRefusal(req, [], approver, NOW);
      expect(problem?.status).toBe(409);
      expect(problem?.detail).toMatch(/cannot be decided any more/);
    }
  });

  it("ok/an administrator decides only where the profile lets administrators approve", () => {
    expect(decisionRefusal(request(), [], administrator, NOW)).toMatchObject({
      status: 403,
      detail: expect.stringMatching(/does not let administrators approve/),
    });
    expect(decisionRefusal(request({ administratorsMayApprove: true }), [], administrator, NOW)).toBeNull();
  });

  it("fail/someone who is neither approver nor administrator never decides", () => {
    expect(decisionRefusal(request({ administratorsMayApprove: true }), [], auditor, NOW)?.status).toBe(403);
  });

  it("fail/a person decides a request once", () => {
    const req = request({ approvalsRequired: 2 });
    const problem = decisionRefusal(req, [{ userId: "u1", verdict: "approve" }], approver, NOW);
    expect(problem).toMatchObject({ status: 409, detail: "You have already decided request 7" });
    // Another approver may still add theirs.
    expect(
      decisionRefusal(req, [{ userId: "u1", verdict: "approve" }], { ...approver, userId: "u9" }, NOW),
    ).toBeNull();
  });

  it("fail/nobody decides a request whose contacts name them, unless the profile allows it", () => {
    const req = request({ contact: ["mailto:Alice@Example.test"] });
    const self = { ...approver, username: "alice@example.test" };
    expect(decisionRefusal(req, [], self, NOW)).toMatchObject({
      status: 403,
      detail: expect.stringMatching(/names you as a contact/),
    });
    expect(decisionRefusal({ ...req, selfApprovalAllowed: true }, [], self, NOW)).toBeNull();
  });
});

describe("benefitsFrom", () => {
  it("ok/matches a mailto contact naming the username, case-insensitively; nothing else", () => {
    expect(benefitsFrom(["mailto:Ops@Shop.example"], "ops@shop.example")).toBe(true);
    expect(benefitsFrom(["mailto:ops@shop.example"], "ops")).toBe(false);
    expect(benefitsFrom(["mailto:ops@shop.example.evil"], "ops@shop.example")).toBe(false);
    expect(benefitsFrom([], "ops@shop.example")).toBe(false);
  });
});

describe('what the client is told (spec "Approvals")', () => {
  it("ok/the first answer quotes the spec: serverInternal 500 with the RequestID", () => {
    const problem = approvalSentProblem("registration", 123456789);
    expect(problem.status).toBe(500);
    expect(problem.toJSON()).toEqual({
      type: "urn:ietf:params:acme:error:serverInternal",
      status: 500,
      detail: "A request to register your ACME account has been sent for approval. RequestID=123456789",
    });
    expect(approvalSentProblem("keyChange", 12, 11).detail).toBe(
      "A request to change the key of your ACME account has been sent for approval. RequestID=12 (it renews the expired request 11)",
    );
  });

  it("ok/repeats name the state as the spec spells it: PENDING, REJECT, EXPIRED", () => {
    expect(approvalStateProblem("registration", 5, "pending").detail).toBe(
      "The request to register your ACME account has state PENDING. RequestID=5",
    );
    expect(approvalStateProblem("keyChange", 5, "rejected").detail).toMatch(
      /has state REJECT\. RequestID=5$/,
    );
    expect(approvalStateProblem("registration", 5, "expired").detail).toMatch(
      /state EXPIRED\. RequestID=5\. This key can no longer be registered: generate a new key/,
    );
    for (const status of ["pending", "rejected", "expired"] as const) {
      expect(approvalStateProblem("registration", 5, status).type).toBe("serverInternal");
      expect(approvalStateProblem("registration", 5, status).status).toBe(500);
    }
  });
});

describe("approval profile fields", () => {
  it("ok/defaults: 1 approval by approvers, open 7 days", () => {
    expect(DEFAULT_APPROVAL_PROFILE_FIELDS).toEqual({
      approvalsRequired: 1,
      administratorsMayApprove: false,
      selfApprovalAllowed: false,
      requestValidity: "7d",
    });
  });

  it("ok/1 to 5 approvals; validity normalised", () => {
    for (const n of [1, 5])
      expect(approvalProfileFieldsSchema.parse({ approvalsRequired: n }).approvalsRequired).toBe(n);
    expect(approvalProfileFieldsSchema.parse({ requestValidity: "12h 2d" }).requestValidity).toBe("2d 12h");
  });

  it("fail/0, 6, 1.5 or text approvals; a validity under an hour, over a year, or not a duration", () => {
    for (const approvalsRequired of [0, 6, 1.5, "2"]) {
      const r = approvalProfileFieldsSchema.safeParse({ approvalsRequired });
      expect(r.success, String(approvalsRequired)).toBe(false);
      expect(r.error?.issues[0]?.message).toBe("From 1 to 5 approvals");
    }
    for (const requestValidity of ["59m", "366d", "soon", ""]) {
      expect(approvalProfileFieldsSchema.safeParse({ requestValidity }).success, requestValidity).toBe(false);
    }
  });
});
