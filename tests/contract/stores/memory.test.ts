// Runs the store contract against MemoryStore.
import { describe } from "vitest";
import { MemoryStore } from "../../../src/index.js";
import { amountContract } from "./amount-contract.js";
import { storeContract } from "./contract.js";

describe("store contract: MemoryStore", () => {
  storeContract(() => new MemoryStore());
  amountContract(() => new MemoryStore());
});
