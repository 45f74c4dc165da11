"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { cn } from "@/components/ui/cn";
import type { Permission } from "@/lib/auth/permissions";

type NavItem = { label: string; href?: string; permission?: Permission };
type NavGroup = { label?: string; items: NavItem[] };

// CONSOLE.md "Everywhere": grouped by job. Entries without href belong to later work and are
// shown disabled, so operators see where things will be without following dead links.
const NAV: NavGroup[] = [
  { items: [{ label: "Overview", href: "/" }] },
  {
    label: "ACME",
    items: [
      { label: "Protocol", href: "/protocol" },
      { label: "Aliases", href: "/aliases" },
      { label: "EAB keys", href: "/eab-keys" },
      { label: "Terms of service", href: "/terms" },
      { label: "Approvals", href: "/approvals" },
    ],
  },
  {
    label: "PKI",
    items: [
      { label: "Certificate authorities", href: "/certificate-authorities" },
      { label: "Client trust anchors", href: "/trust-anchors" },
      { label: "Certificate profiles", href: "/certificate-profiles" },
      { label: "End entity profiles", href: "/end-entity-profiles" },
    ],
  },
  {
    label: "Activity",
    items: [
      { label: "Accounts", href: "/accounts" },
      { label: "Orders", href: "/orders" },
      { label: "Certificates", href: "/certificates" },
      { label: "End entities", href: "/end-entities" },
      { label: "Audit log", href: "/audit", permission: "audit.read" },
    ],
  },
  {
    label: "Admin",
    items: [
      { label: "Users", href: "/users", permission: "users.read" },
      { label: "API tokens", href: "/api-tokens", permission: "tokens.read" },
    ],
  },
];

export function ConsoleNav({ permissions }: { permissions: readonly Permission[] }) {
  const pathname = usePathname();
  const isActive = (href: string) =>
    href === "/" ? pathname === "/" : pathname === href || pathname.startsWith(`${href}/`);
  return (
    <nav aria-label="Console" className="space-y-6">
      {NAV.map((group) => {
        const items = group.items.filter((i) => !i.permission || permissions.includes(i.permission));
        if (items.length === 0) return null;
        return (
          <div key={group.label ?? "top"}>
            {group.label && (
              <p className="px-3 pb-1.5 text-[11px] font-semibold uppercase tracking-wider text-slate-400">
                {group.label}
              </p>
            )}
            <ul className="space-y-0.5">
              {items.map((item) => (
                <li key={item.label}>
                  {item.href ? (
                    <Link
                      href={item.href}
                      aria-current={isActive(item.href) ? "page" : undefined}
                      className={cn(
                        "flex items-center rounded-md px-3 py-1.5 text-sm font-medium",
                        isActive(item.href)
                          ? "bg-slate-800 text-white"
                          : "text-slate-300 hover:bg-slate-800/60 hover:text-white",
                      )}
                    >
                      {item.label}
                    </Link>
                  ) : (
                    <span
                      className="flex cursor-not-allowed items-center justify-between rounded-md px-3 py-1.5 text-sm text-slate-500"
                      aria-disabled="true"
                      title="Coming soon"
                    >
                      {item.label}
                      <span className="text-[10px] uppercase tracking-wide text-slate-600">soon</span>
                    </span>
                  )}
                </li>
              ))}
            </ul>
          </div>
        );
      })}
    </nav>
  );
}
