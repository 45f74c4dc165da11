// Users (administrators only): list, create, change role, disable, reset password.

import { Badge } from "@/components/ui/Badge";
import { Card } from "@/components/ui/Card";
import { EmptyState } from "@/components/ui/EmptyState";
import { PageHeader } from "@/components/ui/PageHeader";
import { ListEmptyState, Pagination } from "@/components/ui/Pagination";
import { RelativeTime } from "@/components/ui/RelativeTime";
import { SearchBox } from "@/components/ui/SearchBox";
import { SortableTh } from "@/components/ui/SortableTh";
import { Table, Td, Th, Tr } from "@/components/ui/Table";
import { UserCreateButton } from "@/components/users/UserCreateButton";
import { UserRowActions } from "@/components/users/UserRowActions";
import { actorCan } from "@/lib/auth/actor";
import { requirePermission } from "@/lib/auth/guard";
import { ROLE_LABELS } from "@/lib/auth/permissions";
import { DEFAULT_PAGE_SIZE } from "@/lib/console/schemas/common";
import { userListQuerySchema } from "@/lib/console/schemas/users";
import { listUsers } from "@/lib/console/users";

export const metadata = { title: "Users · Keyward" };

export default async function UsersPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const actor = await requirePermission("users.read", "/users");
  const canManage = actorCan(actor, "users.manage");
  const parsed = userListQuerySchema.safeParse(await searchParams);
  const query = parsed.success ? parsed.data : userListQuerySchema.parse({});
  // What every link of the list keeps: the search, the order, a page size other than the default.
  const params = {
    q: query.q,
    sort: query.sort,
    dir: query.dir,
    pageSize: query.pageSize === DEFAULT_PAGE_SIZE ? undefined : query.pageSize,
  };
  const sorting = { sort: query.sort, dir: query.dir, basePath: "/users", params };
  const page = await listUsers({ actor, ...query });
  return (
    <>
      <PageHeader
        title="Users"
        description="People who sign in to the console. Administrators configure, approvers decide approval requests, auditors read."
        actions={canManage && <UserCreateButton />}
      />
      <Card>
        <div className="border-b border-slate-200 px-4 py-3">
          <SearchBox placeholder="Search users" label="Search users by name" />
        </div>
        {page.items.length === 0 ? (
          <ListEmptyState info={page} basePath="/users" params={params}>
            <EmptyState title={query.q ? `No user matches "${query.q}"` : "No users yet"} />
          </ListEmptyState>
        ) : (
          <Table label="Users">
            <thead>
              <tr>
                <SortableTh column="username" label="Username" {...sorting} />
                <SortableTh column="role" label="Role" {...sorting} />
                <SortableTh column="status" label="Status" {...sorting} />
                <SortableTh column="lastSignIn" label="Last sign-in" firstDir="desc" {...sorting} />
                <Th>
                  <span className="sr-only">Actions</span>
                </Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {page.items.map((u) => (
                <Tr key={u.id}>
                  <Td className="font-medium text-slate-900">
                    {u.username}
                    {u.id === actor.id && <span className="ml-2 text-xs text-slate-500">(you)</span>}
                  </Td>
                  <Td>{ROLE_LABELS[u.role]}</Td>
                  <Td>
                    <div className="flex gap-1">
                      {u.disabled ? <Badge tone="red">disabled</Badge> : <Badge tone="green">active</Badge>}
                      {u.mustChangePassword && <Badge tone="amber">one-time password</Badge>}
                      {u.signInLock?.lockedUntil && (
                        <Badge tone="red" title={`Locked until ${u.signInLock.lockedUntil} (UTC)`}>
                          sign-in locked
                        </Badge>
                      )}
                    </div>
                  </Td>
                  <Td>
                    <RelativeTime iso={u.lastLoginAt} />
                  </Td>
                  <Td className="text-right">
                    {canManage && <UserRowActions user={u} isSelf={u.id === actor.id} />}
                  </Td>
                </Tr>
              ))}
            </tbody>
          </Table>
        )}
        <Pagination
          page={page.page}
          pageSize={page.pageSize}
          total={page.total}
          basePath="/users"
          params={params}
        />
      </Card>
    </>
  );
}
