// Regenerates build/*.json (ABI + creation bytecode) from the Solidity sources here.
//
//   npm install --prefix "$SCRATCH" solc@0.8.28     # any folder outside the repo
//   NODE_PATH="$SCRATCH/node_modules" node tests/contracts/compile.js
//
// Only the sources, this script and its output are kept in the repository; the compiler
// (solc-js from npm, pinned to the pragma's version) is not.
"use strict";
const fs = require("fs");
const path = require("path");
const solc = require("solc");

const here = __dirname;
const sources = {};
for (const file of fs.readdirSync(here).filter((f) => f.endsWith(".sol")).sort()) {
  sources[file] = { content: fs.readFileSync(path.join(here, file), "utf8") };
}
const input = {
  language: "Solidity",
  sources,
  settings: {
    optimizer: { enabled: true, runs: 200 },
    evmVersion: "cancun",
    outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } },
  },
};
const output = JSON.parse(solc.compile(JSON.stringify(input)));
const errors = (output.errors || []).filter((e) => e.severity === "error");
if (errors.length) {
  for (const e of errors) console.error(e.formattedMessage);
  process.exit(1);
}
fs.mkdirSync(path.join(here, "build"), { recursive: true });
for (const [file, contracts] of Object.entries(output.contracts)) {
  for (const [name, c] of Object.entries(contracts)) {
    if (!c.evm.bytecode.object) continue; // interfaces
    const out = { contract: name, source: file, compiler: solc.version(), abi: c.abi,
                  bytecode: "0x" + c.evm.bytecode.object };
    fs.writeFileSync(path.join(here, "build", `${name}.json`), JSON.stringify(out, null, 1) + "\n");
    console.log(`build/${name}.json`);
  }
}
