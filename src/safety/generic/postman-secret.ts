import { stickyDetector } from "../detectors.ts";

/**
 * A Postman environment's or collection's variable of type secret (`{"key": "upstream", "value": "…", "type": "secret", "enabled": true}`,
 * its keys in the order Postman exports them): the user marked its value a secret, so it goes whatever its key and shape (a weak password
 * too). A variable of type `default` stays, as does an empty value.
 */
export const postmanSecretDetector = stickyDetector(
  ['"value"'],
  /"value"[ \t]*:[ \t]*"((?:[^"\\\r\n]|\\.){1,1000})"[ \t]*,\s{0,40}"type"[ \t]*:[ \t]*"secret"/dy,
  "secret",
);
