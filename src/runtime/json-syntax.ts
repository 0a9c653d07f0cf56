import { type ParseError, parse, printParseErrorCode } from "jsonc-parser";

/** Where JSON text goes wrong, as a person finds it in an editor: "a missing comma at line 4, column 7". */
export interface JsonSyntaxProblem {
  text: string;
  /** A comment or a trailing comma: what lenient readers take and a strict JSON parser refuses. */
  lenientOnly: boolean;
}

const PROBLEMS: Record<string, string> = {
  InvalidCommentToken: "a comment",
  InvalidSymbol: "an unexpected character",
  CommaExpected: "a missing comma",
  ColonExpected: "a missing colon",
  CloseBraceExpected: "a missing }",
  CloseBracketExpected: "a missing ]",
  EndOfFileExpected: "more text after the end",
  UnexpectedEndOfString: "an unterminated string",
  InvalidCharacter: "a control character in a string",
  ValueExpected: "a missing value",
  PropertyNameExpected: "a missing property name (in double quotes)",
};

/** The first problem of strict JSON text, found with jsonc-parser (JSON.parse says what, not where); undefined when there is none. */
export function jsonSyntaxProblem(text: string): JsonSyntaxProblem | undefined {
  if (text.trim() === "") return { text: "the file is empty", lenientOnly: false };
  const errors: ParseError[] = [];
  parse(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  return errors[0] && describeParseError(text, errors[0]);
}

/** One of jsonc-parser's errors in `text`, said with its line and column. */
export function describeParseError(text: string, error: ParseError): JsonSyntaxProblem {
  const before = text.slice(0, error.offset);
  const line = before.split("\n").length;
  const column = error.offset - before.lastIndexOf("\n");
  const trailingComma = "}]".includes(text[error.offset] ?? "x") && before.trimEnd().endsWith(",");
  const code = printParseErrorCode(error.error);
  const what = trailingComma ? "a trailing comma" : (PROBLEMS[code] ?? code);
  return { text: `${what} at line ${line}, column ${column}`, lenientOnly: trailingComma || code === "InvalidCommentToken" };
}
