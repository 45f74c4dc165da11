// Prisma error codes translated into questions the services ask; nothing above lib/db looks at
// Prisma's codes.

function prismaCode(err: unknown): string | undefined {
  return typeof err === "object" && err !== null && "code" in err
    ? String((err as { code: unknown }).code)
    : undefined;
}

/** A unique constraint refused the write (P2002). */
export function isUniqueViolation(err: unknown): boolean {
  return prismaCode(err) === "P2002";
}
