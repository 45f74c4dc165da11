// Any path no console page answers: the console's own 404 (not-found.tsx beside the layout), inside
// its frame with the navigation, for a signed-in user (the layout sends others to sign in first).
import { notFound } from "next/navigation";

export const metadata = { title: "Not found · Keyward" };

export default function MissingPage() {
  notFound();
}
