"use client";
// react-query hooks over the console API, with one query-key factory. Mutations invalidate the
// keys they change; pages rendered on the server are refreshed by the components that call them.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { AliasDetail } from "@/lib/console/aliases";
import type { ApiTokenView } from "@/lib/console/api-tokens";
import type { Overview } from "@/lib/console/overview";
import type { AliasRateLimits } from "@/lib/console/rate-limits";
import type { ProtocolState } from "@/lib/console/settings";
import type { UserView } from "@/lib/console/users";
import { apiRequest } from "./api";

export const consoleKeys = {
  overview: () => ["overview"] as const,
  protocol: () => ["protocol"] as const,
  aliases: () => ["aliases"] as const,
  alias: (name: string) => ["aliases", name] as const,
  aliasRateLimits: (name: string) => ["aliases", name, "rate-limits"] as const,
  users: () => ["users"] as const,
  tokens: () => ["tokens"] as const,
  audit: (params: Record<string, string | undefined>) => ["audit", params] as const,
};

const enc = encodeURIComponent;

export function useOverviewQuery(initialData: Overview) {
  return useQuery({
    queryKey: consoleKeys.overview(),
    queryFn: () => apiRequest<Overview>("GET", "/api/console/overview"),
    initialData,
    refetchInterval: 30_000,
  });
}

export function useSetProtocolMutation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (acmeEnabled: boolean) =>
      apiRequest<ProtocolState>("PUT", "/api/console/protocol", { acmeEnabled }),
    onSuccess: () => qc.invalidateQueries({ queryKey: consoleKeys.protocol() }),
  });
}

export function useUpdateGlobalSettingsMutation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: { defaultAlias?: string | null; replayNonceValidityMs?: unknown }) =>
      apiRequest<ProtocolState>("PUT", "/api/console/settings", input),
    onSuccess: () => qc.invalidateQueries({ queryKey: consoleKeys.protocol() }),
  });
}

export function useCreateAliasMutation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => apiRequest<AliasDetail>("POST", "/api/console/aliases", { name }),
    onSuccess: () => qc.invalidateQueries({ queryKey: consoleKeys.aliases() }),
  });
}

export function useStoreAliasMutation(name: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (settings: Record<string, unknown>) =>
      apiRequest<AliasDetail>("PATCH", `/api/console/aliases/${enc(name)}`, { settings }),
    onSuccess: (alias) => {
      qc.setQueryData(consoleKeys.alias(name), alias);
      return qc.invalidateQueries({ queryKey: consoleKeys.aliases() });
    },
  });
}

export function useRenameAliasMutation(name: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (newName: string) =>
      apiRequest<AliasDetail>("POST", `/api/console/aliases/${enc(name)}/rename`, { newName }),
    onSuccess: () => qc.invalidateQueries({ queryKey: consoleKeys.aliases() }),
  });
}

export function useCloneAliasMutation(name: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (newName: string) =>
      apiRequest<AliasDetail>("POST", `/api/console/aliases/${enc(name)}/clone`, { newName }),
    onSuccess: () => qc.invalidateQueries({ queryKey: consoleKeys.aliases() }),
  });
}

export function useDeleteAliasMutation(name: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => apiRequest<void>("DELETE", `/api/console/aliases/${enc(name)}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: consoleKeys.aliases() }),
  });
}

export function useAliasRateLimitsQuery(name: string, initialData: AliasRateLimits) {
  return useQuery({
    queryKey: consoleKeys.aliasRateLimits(name),
    queryFn: () => apiRequest<AliasRateLimits>("GET", `/api/console/aliases/${enc(name)}/rate-limits`),
    initialData,
    refetchInterval: 30_000,
  });
}

export function useSetRateLimitOverrideMutation(name: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: { accountId: string; limit: string; value: unknown; note: string }) =>
      apiRequest<AliasRateLimits>("POST", `/api/console/aliases/${enc(name)}/rate-limits/overrides`, input),
    onSuccess: (limits) => qc.setQueryData(consoleKeys.aliasRateLimits(name), limits),
  });
}

export function useClearRateLimitOverrideMutation(name: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (o: { accountId: string; limit: string }) =>
      apiRequest<AliasRateLimits>(
        "DELETE",
        `/api/console/aliases/${enc(name)}/rate-limits/overrides/${enc(o.accountId)}/${enc(o.limit)}`,
      ),
    onSuccess: (limits) => qc.setQueryData(consoleKeys.aliasRateLimits(name), limits),
  });
}

export function useCreateUserMutation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: { username: string; role: string; password?: string }) =>
      apiRequest<{ user: UserView; oneTimePassword: string | null }>("POST", "/api/console/users", input),
    onSuccess: () => qc.invalidateQueries({ queryKey: consoleKeys.users() }),
  });
}

export function useUpdateUserMutation(username: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: { role?: string; disabled?: boolean; resetPassword?: true; unlockSignIn?: true }) =>
      apiRequest<{ user: UserView; oneTimePassword: string | null }>(
        "PATCH",
        `/api/console/users/${enc(username)}`,
        input,
      ),
    onSuccess: () => qc.invalidateQueries({ queryKey: consoleKeys.users() }),
  });
}

export function useChangePasswordMutation() {
  return useMutation({
    mutationFn: (input: { currentPassword: string; newPassword: string }) =>
      apiRequest<void>("POST", "/api/console/me/password", input),
  });
}

export function useCreateApiTokenMutation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: { name: string; role: string; expiresInDays?: number | null }) =>
      apiRequest<{ token: string; apiToken: ApiTokenView }>("POST", "/api/console/tokens", input),
    onSuccess: () => qc.invalidateQueries({ queryKey: consoleKeys.tokens() }),
  });
}

export function useRevokeApiTokenMutation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiRequest<ApiTokenView>("DELETE", `/api/console/tokens/${enc(id)}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: consoleKeys.tokens() }),
  });
}
