// Runs the store contract against MemoryStore.
import { describe } from "vitest";
import { MemoryStore } from "../../../src/index.js";
import { storeContract } from "./contract.js";

describe("store contract: MemoryStore", () => {
  storeContract(() => new MemoryStore());
});
