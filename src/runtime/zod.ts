import * as z from "zod/mini";
import en from "zod/v4/locales/en.js";

/**
 * zod as every module uses it. zod/mini, not classic zod: a classic schema
 * builds its whole method table when it is made, and loading classic zod with
 * our schemas cost every command about 25 ms of start-up (a compiled program
 * starts in about 20). Its English issue messages are kept: users read them
 * in config errors.
 */
z.config(en());

export { z };
