import { stickyDetector } from "../detectors.ts";
import { isCredentialShaped } from "./inline-variables.ts";

/**
 * Variables a build file sets for a program, whatever their names, as a command line's `export NAME=…` sets them (inline-variables.ts):
 * Make's `NAME ?= …`, `NAME := …`, `export NAME := …`, `override NAME ::= …` at a line's start (its value bare to the line's end), and
 * Android's Gradle `buildConfigField("String", "NAME", "\"…\"")` (Groovy's without parentheses, `'"…"'` too), which compiles the value
 * into the app. A value shaped as a credential goes (isCredentialShaped); settings, paths, versions, a hash stay, and so does Go's
 * `token := "…"` (quoted: a string literal, other rules' to judge).
 */
const MAKE_ASSIGNMENT = /(?<=^[ \t]{0,40}(?:(?:export|override)[ \t]{1,40})?[A-Za-z_][A-Za-z0-9_.-]{0,127}[ \t]{0,40})(?:\?|::?|\+)=[ \t]*([^\s#"'\x60]{1,1000})[ \t]*(?:#[^\r\n]{0,300})?\r?$/dmy;
export const makeAssignmentDetector = stickyDetector(["?=", ":=", "+="], MAKE_ASSIGNMENT, "secret", isCredentialShaped);

const BUILD_CONFIG_FIELD = /buildConfigField[ \t]*\(?[ \t]*["']String["'][ \t]*,[ \t]*["'][A-Za-z_]\w{0,127}["'][ \t]*,[ \t]*(?:"\\"([^"\\\r\n]{1,1000})\\""|'"([^"'\r\n]{1,1000})"')/dy;
export const buildConfigFieldDetector = stickyDetector(["buildconfigfield"], BUILD_CONFIG_FIELD, "secret", isCredentialShaped);
