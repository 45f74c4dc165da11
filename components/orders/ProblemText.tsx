// A stored problem document (RFC 8555 §6.7) for people: its type without the URN prefix, its
// detail, and each subproblem with the identifier it concerns.
import type { StoredProblem } from "@/lib/console/orders";

const shortType = (type: string) => type.replace("urn:ietf:params:acme:error:", "");

export function ProblemText({ problem }: { problem: StoredProblem }) {
  return (
    <div className="text-sm text-red-700" data-testid="problem">
      <span className="font-mono text-xs font-semibold">{shortType(problem.type)}</span>: {problem.detail}
      {problem.subproblems && (
        <ul className="mt-1 list-disc pl-5">
          {problem.subproblems.map((s) => (
            <li key={`${s.identifier?.value}-${s.type}`}>
              {s.identifier && <strong>{s.identifier.value}</strong>}{" "}
              <span className="font-mono text-xs">{shortType(s.type)}</span>: {s.detail}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
