// The operation of an HTTP method, whatever case the method is spelled in (the upper-case spelling is matched first).
import { expect, it } from "vitest";
import { operationForMethod } from "../../../src/index.js";

it("does not tag a method by its spelling: lower and mixed case give the operation of the upper-case method", () => {
  const methods = ["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE", "PROPFIND"];
  const operations = ["read", "read", "read", "create", "update", "update", "delete", "read"];
  expect(methods.map(operationForMethod)).toEqual(operations);
  expect(methods.map((method) => operationForMethod(method.toLowerCase()))).toEqual(operations);
  expect(["Delete", "pAtCh", "post"].map(operationForMethod)).toEqual(["delete", "update", "create"]);
});
