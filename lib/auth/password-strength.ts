// How guessable a new password is (issue 15 item 10: a policy beyond length), estimated with
// zxcvbn-ts and its common and English dictionaries: passwords, names, keyboard patterns,
// repeats, dates. Server-side only (the dictionaries are large); the forms show the refusal
// beside the field.
import { ZxcvbnFactory } from "@zxcvbn-ts/core";
import * as common from "@zxcvbn-ts/language-common";
import * as en from "@zxcvbn-ts/language-en";

// zxcvbn's scale: 3 is "safely unguessable: moderate protection from offline slow-hash attacks"
// (about 10^8 guesses and more), what a password guarding a CA's console should be at least.
const MIN_SCORE = 3;

let estimator: ZxcvbnFactory | undefined;

/**
 * Why `password` is too easy to guess (zxcvbn's own warning and suggestion), or null when it is
 * strong enough. `context` are words an attacker would try first: the username, "keyward".
 */
export async function passwordWeakness(password: string, context: string[]): Promise<string | null> {
  estimator ??= new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...en.dictionary },
    graphs: common.adjacencyGraphs,
    translations: en.translations,
  });
  const result = await estimator.checkAsync(password, ["keyward", "acme", ...context]);
  if (result.score >= MIN_SCORE) return null;
  const advice = [result.feedback.warning, ...result.feedback.suggestions].filter(Boolean).join(" ");
  return `Too easy to guess${advice ? `: ${advice}` : "; add another word or two"}`;
}
