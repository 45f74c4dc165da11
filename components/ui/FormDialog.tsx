"use client";
import type { FormEvent, ReactNode } from "react";
import { Button } from "./Button";
import { Dialog } from "./Dialog";

/**
 * A dialog around one form, opened by `trigger` (a button the caller renders, which sets `open`):
 * its footer cancels or submits the form; `onSubmit` is called with the default prevented.
 */
export function FormDialog({
  trigger,
  open,
  onClose,
  title,
  description,
  formId,
  pending,
  submitLabel,
  pendingLabel = "Saving…",
  onSubmit,
  children,
}: {
  trigger: ReactNode;
  open: boolean;
  onClose: () => void;
  title: string;
  description: string;
  formId: string;
  pending: boolean;
  submitLabel: string;
  pendingLabel?: string;
  onSubmit: () => void;
  children: ReactNode;
}) {
  return (
    <>
      {trigger}
      <Dialog
        open={open}
        onClose={onClose}
        title={title}
        description={description}
        footer={
          <>
            <Button variant="secondary" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" form={formId} disabled={pending}>
              {pending ? pendingLabel : submitLabel}
            </Button>
          </>
        }
      >
        <form
          id={formId}
          noValidate
          className="space-y-4"
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            onSubmit();
          }}
        >
          {children}
        </form>
      </Dialog>
    </>
  );
}

/** The button that opens a list page's create-or-edit dialog: "Edit" in an object's row, else the page's create button. */
export function EditOrCreateButton({
  editing,
  createLabel,
  createTestId,
  onOpen,
}: {
  /** The name of the object being edited; null for a create dialog. */
  editing: string | null;
  createLabel: string;
  createTestId: string;
  onOpen: () => void;
}) {
  return editing !== null ? (
    <Button size="sm" variant="secondary" onClick={onOpen} aria-label={`Edit ${editing}`}>
      Edit
    </Button>
  ) : (
    <Button onClick={onOpen} data-testid={createTestId}>
      {createLabel}
    </Button>
  );
}
