// Prints the decision-log record's JSON Schema (`npm run schema` writes it to hexarch.log.schema.json).
import { logRecordJsonSchema } from "./record-schema.js";

process.stdout.write(`${JSON.stringify(logRecordJsonSchema(), null, 2)}\n`);
