"use client";
import type { FormEvent, ReactNode } from "react";
import { Button } from "./Button";
import { Dialog } from "./Dialog";

/**
 * The create-or-edit dialog of a list page (profiles and the like): the button that opens it
 * (a small "Edit" naming the object in its row, or the page's create button), and the dialog
 * whose footer submits the form inside it.
 */
export function FormDialog({
  open,
  onOpen,
  onClose,
  editing,
  createLabel,
  createTestId,
  title,
  description,
  formId,
  pending,
  onSubmit,
  children,
}: {
  open: boolean;
  onOpen: () => void;
  onClose: () => void;
  /** The name of the object being edited; null for a create dialog. */
  editing: string | null;
  createLabel: string;
  createTestId: string;
  title: string;
  description: string;
  formId: string;
  pending: boolean;
  /** Called with the default prevented. */
  onSubmit: () => void;
  children: ReactNode;
}) {
  return (
    <>
      {editing !== null ? (
        <Button size="sm" variant="secondary" onClick={onOpen} aria-label={`Edit ${editing}`}>
          Edit
        </Button>
      ) : (
        <Button onClick={onOpen} data-testid={createTestId}>
          {createLabel}
        </Button>
      )}
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
              {pending ? "Saving…" : editing !== null ? "Save" : "Create"}
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
