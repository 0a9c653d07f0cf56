import type { Detector, Finding, Hits } from "../detectors.ts";
import { isStandIn } from "../look-alikes.ts";

/**
 * A PIN: 4 to 8 digits under a PIN's name, as code, config and prose write it: `"pin": "48213377"`,
 * `PIN=4821`, `SIM_PIN: 4821`, `userPin = 4821`, "pin code 482133", "my PIN is 4821". Not `"pin":
 * true`, a version pinned (`pin = "1.2.3"`), a board's pin (`pin: 12`: a GPIO or header pin is
 * numbered in 1 to 3 digits, a PIN has 4 or more), nor words holding "pin" (`spin`, `pinned`,
 * `mapping`). A passcode of digits is one too (a door's, a phone's: "my passcode is 482913", `{"passcode": "4821"}`).
 */

/**
 * From the name's start: what comes before `pin` in it (group 1), `pin` itself (group 2, as written:
 * `userPin`'s capital tells a new word), an optional "code" or "number", a separator or "is", then
 * the digits (group 3), quoted or bare, and no more digits, letters or dash after them, nor a dot and a digit (a version).
 */
const PIN_ASSIGNED =
  /([A-Za-z0-9_.-]{0,60}?)(pin|passcode)(?:[_-]?(?:code|number))?["']?(?:[ \t]+(?:code|number)(?:[ \t]*[:=][ \t]*|[ \t]+(?:is[ \t]+)?)|[ \t]*(?::=|=>|[:=])[ \t]*|[ \t]+(?:is|was)[ \t]+)["']?(\d{4,8})(?![\dA-Za-z-]|\.\d)/diy;

/** What may come before `pin` in a PIN's name: nothing, a word and a separator (`SIM_PIN`, `card-pin`), or a word in camelCase before `Pin`. */
function isPinName(before: string, pin: string): boolean {
  return before === "" || /[_.-]$/.test(before) || (/[a-z0-9]$/.test(before) && pin.startsWith("P"));
}

const NAME_CHAR = /[A-Za-z0-9_.-]/;
/** A PIN's name alone, as a JSON object's key (redact.ts): groups as in PIN_ASSIGNED. */
const PIN_KEY = /^([A-Za-z0-9_.-]{0,60}?)(pin|passcode)(?:[_-]?(?:code|number))?$/i;
const PIN_VALUE = /^\d{4,8}$/;

/** Whether a JSON object's entry is a PIN (`{"pin": "4821"}`), its name being apart from its value. */
export function isPinEntry(key: string, value: string): boolean {
  const m = PIN_KEY.exec(key);
  return m !== null && isPinName(m[1] as string, m[2] as string) && PIN_VALUE.test(value) && !isStandIn(value);
}

export const pinDetector: Detector = {
  keywords: ['pin"', "pin'", "pin=", "pin:", "pin ", "pin\t", "pincode", "pin_code", "pin-code", "pinnumber", "pin_number", "passcode"],
  find(text: string, hits: Hits, out: Finding[]): void {
    for (let i = 0; i < hits.length; i += 2) {
      // Back to the name's start, 60 characters at most, as PIN_ASSIGNED reads.
      const at = hits[i] as number;
      let start = at;
      while (start > at - 60 && start > 0 && NAME_CHAR.test(text.charAt(start - 1))) start--;
      PIN_ASSIGNED.lastIndex = start;
      const m = PIN_ASSIGNED.exec(text);
      const span = m?.indices?.[3];
      if (!m || !span || !isPinName(m[1] as string, m[2] as string) || isStandIn(m[3] as string)) continue;
      // A passcode's value is named as the assignment rule names one of letters (`passcode=…`): a secret.
      out.push({ start: span[0], end: span[1], kind: /^pin$/i.test(m[2] as string) ? "password" : "secret" });
    }
  },
};
