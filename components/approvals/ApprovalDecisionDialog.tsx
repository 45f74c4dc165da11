"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/Button";
import { Dialog } from "@/components/ui/Dialog";
import { Field, FormError, TextArea } from "@/components/ui/Field";
import type { ApprovalRequestView } from "@/lib/console/approvals";
import { ApiError, errorMessage } from "@/lib/console/client/api";
import { useDecideApprovalMutation } from "@/lib/console/client/queries";
import { approvalDecisionBodySchema } from "@/lib/console/schemas/approvals";

type Verdict = "approve" | "reject";

const KIND_LABEL = { registration: "account registration", keyChange: "account key change" } as const;

/**
 * Approve and Reject for one request, each asking for a comment in a dialog that names the
 * request (a rejection must say why: the same schema as the server's).
 */
export function ApprovalDecisionDialog({ request }: { request: ApprovalRequestView }) {
  const router = useRouter();
  const mutation = useDecideApprovalMutation(request.id);
  const [verdict, setVerdict] = useState<Verdict | null>(null);
  const [comment, setComment] = useState("");
  const [touched, setTouched] = useState(false);
  const [serverError, setServerError] = useState<string | null>(null);
  const parsed = approvalDecisionBodySchema.safeParse({ verdict: verdict ?? "approve", comment });
  const commentError =
    serverError ?? (touched && !parsed.success ? parsed.error.issues[0]?.message : undefined);
  const close = () => {
    setVerdict(null);
    setComment("");
    setTouched(false);
    setServerError(null);
    mutation.reset();
  };
  const id = `decision-comment-${request.id}`;
  return (
    <div className="flex justify-end gap-1.5">
      <Button size="sm" onClick={() => setVerdict("approve")} aria-label={`Approve request ${request.id}`}>
        Approve
      </Button>
      <Button
        size="sm"
        variant="secondary"
        className="text-red-700"
        onClick={() => setVerdict("reject")}
        aria-label={`Reject request ${request.id}`}
      >
        Reject
      </Button>
      <Dialog
        open={verdict !== null}
        onClose={close}
        title={`${verdict === "reject" ? "Reject" : "Approve"} request ${request.id}?`}
        description={
          <>
            {KIND_LABEL[request.kind]} on alias <strong>{request.alias}</strong>, key{" "}
            <code className="font-mono text-xs">{request.keyThumbprint}</code>
            {verdict === "approve" && request.approvalsRequired - request.approvals > 1
              ? ` — ${request.approvalsRequired - request.approvals - 1} more approval(s) needed after yours.`
              : verdict === "approve"
                ? " — it takes effect when the client asks again."
                : " — the client is told REJECT from now on."}
          </>
        }
        footer={
          <>
            <Button variant="secondary" onClick={close} disabled={mutation.isPending}>
              Cancel
            </Button>
            <Button
              type="submit"
              form={`decision-form-${request.id}`}
              variant={verdict === "reject" ? "danger" : "primary"}
              disabled={mutation.isPending}
            >
              {mutation.isPending ? "Saving…" : verdict === "reject" ? "Reject" : "Approve"}
            </Button>
          </>
        }
      >
        <form
          id={`decision-form-${request.id}`}
          noValidate
          className="space-y-3"
          onSubmit={(e) => {
            e.preventDefault();
            setTouched(true);
            if (!parsed.success || !verdict) return;
            mutation.mutate(
              { verdict, comment: parsed.data.comment },
              {
                onSuccess: () => {
                  close();
                  router.refresh();
                },
                onError: (err) => {
                  if (err instanceof ApiError && err.fieldErrors().comment)
                    setServerError(err.fieldErrors().comment ?? null);
                },
              },
            );
          }}
        >
          <Field
            id={id}
            label={verdict === "reject" ? "Why is it rejected?" : "Comment (optional)"}
            help="Kept with the decision in the request's history and the audit log."
            error={commentError}
          >
            <TextArea
              id={id}
              rows={3}
              value={comment}
              invalid={!!commentError}
              className="font-sans text-sm"
              onChange={(e) => {
                setComment(e.target.value);
                setTouched(true);
                setServerError(null);
              }}
            />
          </Field>
          <FormError
            message={
              mutation.error && !(mutation.error instanceof ApiError && mutation.error.fieldErrors().comment)
                ? errorMessage(mutation.error)
                : null
            }
          />
        </form>
      </Dialog>
    </div>
  );
}
