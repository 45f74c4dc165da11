"use client";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";
import { ToastProvider } from "@/components/ui/Toast";
// Its popstate listener must be added before the App Router's (see the module).
import "@/components/ui/useUnsavedChangesWarning";
// Every form of the console validates with zod in the browser: its messages are the same human
// ones the server sends ("At most 250 characters"), installed before any page's form parses.
import "@/lib/zod-messages";

export function Providers({ children }: { children: ReactNode }) {
  const [client] = useState(
    () =>
      new QueryClient({
        defaultOptions: { queries: { staleTime: 10_000, retry: 1, refetchOnWindowFocus: false } },
      }),
  );
  return (
    <QueryClientProvider client={client}>
      <ToastProvider>{children}</ToastProvider>
    </QueryClientProvider>
  );
}
