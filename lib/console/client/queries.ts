"use client";
// react-query hooks over the console API, with one query-key factory. Mutations invalidate the
// keys they change; pages rendered on the server are refreshed by the components that call them.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { AccessRuleView } from "@/lib/console/access-rules";
import type { AccountDetail } from "@/lib/console/accounts";
import type { AliasDetail } from "@/lib/console/aliases";
import type { ApiTokenView } from "@/lib/console/api-tokens";
import type { ApprovalProfileView } from "@/lib/console/approval-profiles";
import type { ApprovalRequestView } from "@/lib/console/approvals";
import type { CertificateAuthorityView } from "@/lib/console/authorities";
import type { CertificateDetail } from "@/lib/console/certificates";
import type { EabKeyCreated, EabKeyView, InspectedEabPublicKey } from "@/lib/console/eab-keys";
import type { Overview } from "@/lib/console/overview";
import type { CertificateProfileView, EndEntityProfileView } from "@/lib/console/profiles";
import type { AliasRateLimits } from "@/lib/console/rate-limits";
import type { AccessRuleBody } from "@/lib/console/schemas/access-rules";
import type { CreateCaBody } from "@/lib/console/schemas/authorities";
import type { ProtocolState } from "@/lib/console/settings";
import type { AliasTermsView } from "@/lib/console/terms";
import type { TrustAnchorView } from "@/lib/console/trust-anchors";
import type { UserView } from "@/lib/console/users";
import { apiRequest } from "./api";

export const consoleKeys = {
  overview: () => ["overview"] as const,
  protocol: () => ["protocol"] as const,
  aliases: () => ["aliases"] as const,
  alias: (name: string) => ["aliases", name] as const,
  accessRules: (alias: string) => ["aliases", alias, "access-rules"] as const,
  trustAnchors: () => ["trust-anchors"] as const,
  certificateAuthorities: () => ["certificate-authorities"] as const,
  aliasRateLimits: (name: string) => ["aliases", name, "rate-limits"] as const,
  users: () => ["users"] as const,
  tokens: () => ["tokens"] as const,
  eabKeys: (alias: string) => ["eabKeys", alias] as const,
  audit: (params: Record<string, string | undefined>) => ["audit", params] as const,
  approvals: () => ["approvals"] as const,
  approvalProfiles: () => ["approvalProfiles"] as const,
  profiles: (kind: ProfileKind) => ["profiles", kind] as const,
  accounts: () => ["accounts"] as const,
  terms: (alias: string) => ["terms", alias] as const,
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

export function useCreateEabKeyMutation(alias: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: Record<string, unknown>) =>
      apiRequest<EabKeyCreated>("POST", `/api/console/aliases/${enc(alias)}/eab-keys`, input),
    onSuccess: () => qc.invalidateQueries({ queryKey: consoleKeys.eabKeys(alias) }),
  });
}

export function useInspectEabPublicKeyMutation() {
  return useMutation({
    mutationFn: (input: { publicKey?: string; publicKeyFile?: string }) =>
      apiRequest<InspectedEabPublicKey>("POST", "/api/console/eab-keys/inspect", input),
  });
}

export function useUpdateEabKeyMutation(alias: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, disabled }: { id: string; disabled: boolean }) =>
      apiRequest<EabKeyView>("PATCH", `/api/console/aliases/${enc(alias)}/eab-keys/${enc(id)}`, { disabled }),
    onSuccess: () => qc.invalidateQueries({ queryKey: consoleKeys.eabKeys(alias) }),
  });
}

export function useDeleteEabKeyMutation(alias: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      apiRequest<void>("DELETE", `/api/console/aliases/${enc(alias)}/eab-keys/${enc(id)}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: consoleKeys.eabKeys(alias) }),
  });
}

export function useDecideApprovalMutation(id: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: { verdict: "approve" | "reject"; comment: string }) =>
      apiRequest<ApprovalRequestView>("POST", `/api/console/approvals/${id}/decision`, input),
    onSuccess: () =>
      Promise.all([
        qc.invalidateQueries({ queryKey: consoleKeys.approvals() }),
        qc.invalidateQueries({ queryKey: consoleKeys.overview() }),
      ]),
  });
}

export function useCreateApprovalProfileMutation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: Record<string, unknown>) =>
      apiRequest<ApprovalProfileView>("POST", "/api/console/approval-profiles", input),
    onSuccess: () => qc.invalidateQueries({ queryKey: consoleKeys.approvalProfiles() }),
  });
}

export function useUpdateApprovalProfileMutation(name: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: Record<string, unknown>) =>
      apiRequest<ApprovalProfileView>("PATCH", `/api/console/approval-profiles/${enc(name)}`, input),
    onSuccess: () => qc.invalidateQueries({ queryKey: consoleKeys.approvalProfiles() }),
  });
}

export function useDeleteApprovalProfileMutation(name: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => apiRequest<void>("DELETE", `/api/console/approval-profiles/${enc(name)}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: consoleKeys.approvalProfiles() }),
  });
}

export function useDeactivateAccountMutation(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => apiRequest<AccountDetail>("POST", `/api/console/accounts/${enc(id)}/deactivate`),
    onSuccess: () => qc.invalidateQueries({ queryKey: consoleKeys.accounts() }),
  });
}

export function useRevokeCertificateMutation(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: { reason: number }) =>
      apiRequest<CertificateDetail>("POST", `/api/console/certificates/${enc(id)}/revoke`, input),
    onSuccess: () => qc.invalidateQueries({ queryKey: consoleKeys.accounts() }),
  });
}

export function usePublishTermsMutation(alias: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: { url: string; changeUrl: string | null }) =>
      apiRequest<AliasTermsView>("POST", `/api/console/aliases/${enc(alias)}/terms`, input),
    onSuccess: () =>
      Promise.all([
        qc.invalidateQueries({ queryKey: consoleKeys.terms(alias) }),
        qc.invalidateQueries({ queryKey: consoleKeys.alias(alias) }),
      ]),
  });
}

export function useAccessRulesQuery(alias: string, initialData: AccessRuleView[]) {
  return useQuery({
    queryKey: consoleKeys.accessRules(alias),
    queryFn: async () =>
      (
        await apiRequest<{ items: AccessRuleView[] }>(
          "GET",
          `/api/console/aliases/${enc(alias)}/access-rules`,
        )
      ).items,
    initialData,
  });
}

export function useAddAccessRuleMutation(alias: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: AccessRuleBody) =>
      apiRequest<AccessRuleView>("POST", `/api/console/aliases/${enc(alias)}/access-rules`, input),
    onSuccess: () => qc.invalidateQueries({ queryKey: consoleKeys.accessRules(alias) }),
  });
}

export function useRemoveAccessRuleMutation(alias: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      apiRequest<void>("DELETE", `/api/console/aliases/${enc(alias)}/access-rules/${enc(id)}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: consoleKeys.accessRules(alias) }),
  });
}

export function useImportTrustAnchorMutation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (certificatePem: string) =>
      apiRequest<TrustAnchorView>("POST", "/api/console/trust-anchors", { certificatePem }),
    onSuccess: () => qc.invalidateQueries({ queryKey: consoleKeys.trustAnchors() }),
  });
}

export function useRemoveTrustAnchorMutation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiRequest<void>("DELETE", `/api/console/trust-anchors/${enc(id)}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: consoleKeys.trustAnchors() }),
  });
}

/** Certificate profiles and end entity profiles share one set of hooks, by their API path. */
export type ProfileKind = "certificate-profiles" | "end-entity-profiles";
type ProfileView<K extends ProfileKind> = K extends "certificate-profiles"
  ? CertificateProfileView
  : EndEntityProfileView;

export function useCreateProfileMutation<K extends ProfileKind>(kind: K) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: Record<string, unknown>) =>
      apiRequest<ProfileView<K>>("POST", `/api/console/${kind}`, input),
    onSuccess: () => qc.invalidateQueries({ queryKey: consoleKeys.profiles(kind) }),
  });
}

export function useUpdateProfileMutation<K extends ProfileKind>(kind: K, name: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: Record<string, unknown>) =>
      apiRequest<ProfileView<K>>("PATCH", `/api/console/${kind}/${enc(name)}`, input),
    onSuccess: () => qc.invalidateQueries({ queryKey: consoleKeys.profiles(kind) }),
  });
}

export function useDeleteProfileMutation(kind: ProfileKind, name: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => apiRequest<void>("DELETE", `/api/console/${kind}/${enc(name)}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: consoleKeys.profiles(kind) }),
  });
}

// Certificate authorities (issue 12): the page is rendered on the server; the dialogs refresh it.
const CA_API = "/api/console/certificate-authorities";

export function useCreateCaMutation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: Partial<CreateCaBody>) => apiRequest<CertificateAuthorityView>("POST", CA_API, body),
    onSuccess: () => qc.invalidateQueries({ queryKey: consoleKeys.certificateAuthorities() }),
  });
}

export function useImportCaMutation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { certificate: string; privateKey: string; externalChain?: string }) =>
      apiRequest<CertificateAuthorityView>("POST", `${CA_API}/import`, body),
    onSuccess: () => qc.invalidateQueries({ queryKey: consoleKeys.certificateAuthorities() }),
  });
}

export function useRenewCaMutation(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { newKey: boolean }) =>
      apiRequest<CertificateAuthorityView>("POST", `${CA_API}/${enc(id)}/renew`, body),
    onSuccess: () => qc.invalidateQueries({ queryKey: consoleKeys.certificateAuthorities() }),
  });
}

export function useSetCaExternalChainMutation(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { externalChain: string }) =>
      apiRequest<CertificateAuthorityView>("PUT", `${CA_API}/${enc(id)}/external-chain`, body),
    onSuccess: () => qc.invalidateQueries({ queryKey: consoleKeys.certificateAuthorities() }),
  });
}

export function useDeleteCaMutation(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => apiRequest<void>("DELETE", `${CA_API}/${enc(id)}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: consoleKeys.certificateAuthorities() }),
  });
}

export function useCrossCertifyCaMutation(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { issuerId: string }) =>
      apiRequest<CertificateAuthorityView>("POST", `${CA_API}/${enc(id)}/cross-certificates`, body),
    onSuccess: () => qc.invalidateQueries({ queryKey: consoleKeys.certificateAuthorities() }),
  });
}
