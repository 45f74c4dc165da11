// Messages people read, for every zod check that does not carry its own (issue 16 item 5): "At most
// 250 characters", never "Too big: expected string to have <=250 characters". Installed once, as
// zod's global error map, by the modules every parse goes through (lib/problem.ts on the server
// and in the CLI, components/ui/useSchemaForm.ts in the browser), so the console's forms, the
// console API's invalidParams and the command line say the same thing. A check's own message
// still wins (zod 4: schema-level error > global customError).
import { z } from "zod";

type Issue = Parameters<z.core.$ZodErrorMap>[0];

const plural = (n: number | bigint, one: string, many = `${one}s`) => `${n} ${Number(n) === 1 ? one : many}`;

function sizeUnit(origin: unknown, n: number | bigint): string {
  if (origin === "string") return plural(n, "character");
  if (origin === "array" || origin === "set") return plural(n, "item");
  if (origin === "file") return plural(n, "byte");
  return String(n);
}

const FORMATS: Record<string, string> = {
  email: "Enter an email address",
  url: "Enter a URL",
  uuid: "Not a valid id",
  regex: "Not in the expected format",
  datetime: "Enter a date and time (ISO 8601)",
  date: "Enter a date, YYYY-MM-DD",
  ipv4: "Enter an IPv4 address",
  ipv6: "Enter an IPv6 address",
  starts_with: "Not in the expected format",
  ends_with: "Not in the expected format",
  includes: "Not in the expected format",
};

const TYPES: Record<string, string> = {
  string: "Enter text",
  number: "Enter a number",
  int: "Enter a whole number",
  boolean: "true or false",
  array: "A list",
  object: "An object",
  date: "Enter a date",
  bigint: "Enter a whole number",
};

/** The human message of a zod issue that has none of its own (undefined: zod's own). */
export function humanZodMessage(issue: Issue): string | undefined {
  switch (issue.code) {
    case "too_big": {
      const n = issue.maximum;
      if (issue.origin === "number" || issue.origin === "int" || issue.origin === "bigint")
        return issue.inclusive ? `At most ${n}` : `Less than ${n}`;
      if (issue.origin === "date") return `On or before ${new Date(Number(n)).toISOString()}`;
      return `At most ${sizeUnit(issue.origin, n)}`;
    }
    case "too_small": {
      const n = issue.minimum;
      if (issue.origin === "number" || issue.origin === "int" || issue.origin === "bigint")
        return issue.inclusive ? `At least ${n}` : `More than ${n}`;
      if (issue.origin === "date") return `On or after ${new Date(Number(n)).toISOString()}`;
      if (issue.origin === "string" && Number(n) === 1) return "Required";
      if ((issue.origin === "array" || issue.origin === "set") && Number(n) === 1) return "Add at least one";
      return `At least ${sizeUnit(issue.origin, n)}`;
    }
    case "invalid_type":
      if (issue.input === undefined) return "Required";
      return TYPES[issue.expected] ?? undefined;
    case "invalid_format":
      return FORMATS[issue.format] ?? "Not in the expected format";
    case "invalid_value":
      return issue.values.length === 1
        ? `Must be ${String(issue.values[0])}`
        : `One of ${issue.values.map(String).join(", ")}`;
    case "not_multiple_of":
      return `A multiple of ${issue.divisor}`;
    case "unrecognized_keys":
      return issue.keys.length === 1
        ? `Unknown field ${issue.keys[0]}`
        : `Unknown fields ${issue.keys.join(", ")}`;
    default:
      return undefined;
  }
}

z.config({ customError: humanZodMessage });
