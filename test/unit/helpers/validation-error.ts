/** Catching the ValidationError a synchronous call throws, to assert on its key, rule and message. */
import { expect } from "vitest";
import { ValidationError } from "../../../src/core/errors.js";

/** Runs `fn`, expecting it to throw a ValidationError, and returns that error. */
export function validationError(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error("expected a ValidationError");
}
