"use client";
// Warns before leaving a form with changes not stored: the browser's own prompt when the tab is
// closed or reloaded (beforeunload), a confirm() before a link inside the console takes the user
// away (the App Router has no navigation event to cancel, so link clicks are caught first), and
// the same confirm() when the browser's Back (or Forward) button moves within the console.
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

/** The position of the current history entry (Navigation API, Chromium); null where unknown. */
function historyIndex(): number | null {
  const navigation = (window as { navigation?: { currentEntry?: { index: number } | null } }).navigation;
  return navigation?.currentEntry?.index ?? null;
}

// Back/Forward within the console: the URL has already changed when popstate fires, and the App
// Router's own popstate listener renders the page it finds there at once — unmounting the form
// before a listener the form added could ask. So one listener, added when this module is first
// evaluated (the console's Providers import it, before the router's effects add theirs), asks on
// behalf of whichever form is dirty. A "stay" answer keeps the router from seeing the step
// (stopImmediatePropagation) and steps back to the form's page, a popstate kept from it too.
type Guard = { message: string; here: string; startIndex: number | null };
let guard: Guard | null = null;
let returning = false;

function onPopState(event: PopStateEvent): void {
  if (returning) {
    returning = false;
    if (guard && window.location.href === guard.here) event.stopImmediatePropagation();
    return;
  }
  if (!guard || window.location.href === guard.here) return;
  if (window.confirm(guard.message)) return;
  event.stopImmediatePropagation();
  returning = true;
  // The steps taken (the Navigation API knows; without it, a Back of one step is assumed).
  const now = historyIndex();
  window.history.go(guard.startIndex !== null && now !== null ? guard.startIndex - now : 1);
}

if (typeof window !== "undefined") window.addEventListener("popstate", onPopState, true);

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
    const mine: Guard = { message, here: window.location.href, startIndex: historyIndex() };
    guard = mine;
    window.addEventListener("beforeunload", onBeforeUnload);
    // Capture phase: before Next's <Link> starts a client-side navigation.
    document.addEventListener("click", onClick, true);
    return () => {
      window.removeEventListener("beforeunload", onBeforeUnload);
      document.removeEventListener("click", onClick, true);
      if (guard === mine) guard = null;
    };
  }, [dirty, message]);
}
