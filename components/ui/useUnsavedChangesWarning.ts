"use client";
// Warns before leaving a form with changes not stored: the browser's own prompt when the tab is
// closed or reloaded (beforeunload), and a confirm() before a link inside the console takes the
// user away (the App Router has no navigation event to cancel, so link clicks are caught first).
import { useEffect } from "react";

export const UNSAVED_CHANGES_MESSAGE = "You have changes that are not stored. Leave this page and lose them?";

function leavesThePage(event: MouseEvent): HTMLAnchorElement | null {
  if (event.defaultPrevented || event.button !== 0) return null;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return null; // a new tab or window
  const link = (event.target as Element | null)?.closest?.("a[href]");
  if (!(link instanceof HTMLAnchorElement)) return null;
  if (link.target && link.target !== "_self") return null;
  if (link.hasAttribute("download")) return null;
  const to = new URL(link.href, window.location.href);
  const here = new URL(window.location.href);
  // A jump within this page (the skip link, an anchor) leaves nothing behind.
  if (to.origin === here.origin && to.pathname === here.pathname && to.search === here.search) return null;
  return link;
}

export function useUnsavedChangesWarning(dirty: boolean, message = UNSAVED_CHANGES_MESSAGE): void {
  useEffect(() => {
    if (!dirty) return;
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      event.preventDefault();
      // Older browsers need returnValue set to show their (fixed-text) prompt.
      event.returnValue = "";
    };
    const onClick = (event: MouseEvent) => {
      if (!leavesThePage(event)) return;
      if (window.confirm(message)) return;
      event.preventDefault();
      event.stopPropagation();
    };
    window.addEventListener("beforeunload", onBeforeUnload);
    // Capture phase: before Next's <Link> starts a client-side navigation.
    document.addEventListener("click", onClick, true);
    return () => {
      window.removeEventListener("beforeunload", onBeforeUnload);
      document.removeEventListener("click", onClick, true);
    };
  }, [dirty, message]);
}
