"use client";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useEffect, useState } from "react";

/** A search field whose value lives in the URL (?q=…), so a filtered list can be shared. */
export function SearchBox({
  param = "q",
  placeholder,
  label,
}: {
  param?: string;
  placeholder: string;
  label: string;
}) {
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const [value, setValue] = useState(searchParams.get(param) ?? "");
  useEffect(() => {
    const current = searchParams.get(param) ?? "";
    if (value === current) return;
    const timer = setTimeout(() => {
      const next = new URLSearchParams(searchParams.toString());
      if (value) next.set(param, value);
      else next.delete(param);
      next.delete("page");
      const q = next.toString();
      router.replace(q ? `${pathname}?${q}` : pathname);
    }, 300);
    return () => clearTimeout(timer);
  }, [value, param, pathname, router, searchParams]);
  return (
    <div className="w-full max-w-xs">
      <label htmlFor={`search-${param}`} className="sr-only">
        {label}
      </label>
      <input
        id={`search-${param}`}
        type="search"
        value={value}
        placeholder={placeholder}
        onChange={(e) => setValue(e.target.value)}
        className="block w-full rounded-md border-0 px-3 py-1.5 text-sm shadow-xs ring-1 ring-inset ring-slate-300 placeholder:text-slate-500 focus:ring-2 focus:ring-inset focus:ring-indigo-600"
      />
    </div>
  );
}
