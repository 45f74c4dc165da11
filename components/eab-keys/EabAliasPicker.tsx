"use client";
import { useRouter } from "next/navigation";
import { Select } from "@/components/ui/Field";

/** Which alias's keys the page shows; the choice lives in the URL (?alias=), so it can be shared. */
export function EabAliasPicker({ aliases, current }: { aliases: string[]; current: string }) {
  const router = useRouter();
  return (
    <div className="flex items-center gap-2">
      <label htmlFor="eab-alias" className="text-sm font-medium text-slate-700">
        Alias
      </label>
      <Select
        id="eab-alias"
        className="w-56"
        value={current}
        onChange={(e) => router.push(`/eab-keys?alias=${encodeURIComponent(e.target.value)}`)}
      >
        {aliases.map((name) => (
          <option key={name} value={name}>
            {name}
          </option>
        ))}
      </Select>
    </div>
  );
}
