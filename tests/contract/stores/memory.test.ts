// Runs the store contract against MemoryStore.
import { describe } from "vitest";
import { MemoryStore } from "../../../src/index.js";
import { algorithmContract } from "./algorithm-contract.js";
import { algorithmProperties } from "./algorithm-properties.js";
import { amountContract } from "./amount-contract.js";
import { storeContract } from "./contract.js";

describe("store contract: MemoryStore", () => {
  storeContract((clock) => new MemoryStore(clock === undefined ? {} : { clock }));
  amountContract((clock) => new MemoryStore(clock === undefined ? {} : { clock }));
  algorithmContract((clock) => new MemoryStore(clock === undefined ? {} : { clock }), true);
  algorithmProperties((clock) => new MemoryStore(clock === undefined ? {} : { clock }), 200);
});
