// Checks Kubernetes manifests against Kubernetes' own API definitions, as packaged by kubernetes-models (generated
// from Kubernetes' OpenAPI spec), in two ways, because neither alone is enough:
//   1. each object's JSON schema: types, required fields, formats;
//   2. each object's TypeScript type, compiled by tsc: a misspelt field is an error there, while the schemas let it
//      pass, since Kubernetes' OpenAPI spec does not forbid unknown fields.
//
// usage: node validate.mjs FILE...                  exits 0 when every document passes both checks
//        node validate.mjs --expect-invalid FILE... exits 0 when every document fails one, to show the checks bite
//
// YAML is read as YAML 1.1, as Kubernetes reads it: `defaultMode: 0400` is octal there, but 400 in YAML 1.2.

import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { parseAllDocuments } from "yaml";

const here = dirname(fileURLToPath(import.meta.url));

/** Every non-empty document of each file, as { where, object }, or as { where, problems } when it does not parse. */
function readDocuments(files) {
  const documents = [];
  for (const file of files) {
    parseAllDocuments(readFileSync(file, "utf8"), { version: "1.1" }).forEach((parsed, index) => {
      const where = `${file} document ${index + 1}`;
      if (parsed.errors.length > 0) {
        documents.push({ where, problems: parsed.errors.map((error) => error.message) });
        return;
      }
      const object = parsed.toJS();
      if (object !== null) {
        documents.push({ where, object });
      }
    });
  }
  return documents;
}

/** kubernetes-models keeps each API group's models in a module named after the apiVersion: "v1", "apps/v1". */
async function modelOf(object) {
  const { apiVersion, kind } = object;
  if (typeof apiVersion !== "string" || typeof kind !== "string") {
    return { problem: "apiVersion and kind must be strings" };
  }
  let models;
  try {
    models = await import(`kubernetes-models/${apiVersion}`);
  } catch {
    return { problem: `no API group ${apiVersion} in kubernetes-models` };
  }
  if (typeof models[kind] !== "function") {
    return { problem: `no kind ${kind} in ${apiVersion}` };
  }
  return { model: models[kind], typeModule: `kubernetes-models/${apiVersion}/${kind}`, typeName: `I${kind}` };
}

function schemaProblems(model, object) {
  try {
    new model(object).validate();
    return [];
  } catch (error) {
    return [`schema: ${error.message}`];
  }
}

/**
 * Compiles one typed constant per document and returns tsc's errors per document. The file is written beside
 * node_modules, where tsc finds kubernetes-models, and removed afterwards.
 */
function typeProblems(typed) {
  let text = "";
  const firstLines = [];
  typed.forEach(({ typeModule, typeName, object }, index) => {
    firstLines.push(text.split("\n").length - 1);
    text += `import type { ${typeName} as T${index} } from "${typeModule}";\n`;
    text += `export const document${index}: T${index} = ${JSON.stringify(object, null, 2)};\n`;
  });
  const source = join(here, `.check-${process.pid}.ts`);
  writeFileSync(source, text);
  try {
    const program = ts.createProgram([source], {
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      types: [],
    });
    return groupByDocument(ts.getPreEmitDiagnostics(program), source, firstLines);
  } finally {
    rmSync(source, { force: true });
  }
}

/** A diagnostic outside the generated file (a broken setup, not a broken manifest) counts against every document. */
function groupByDocument(diagnostics, source, firstLines) {
  const problems = firstLines.map(() => []);
  for (const diagnostic of diagnostics) {
    const message = `types: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, " ")}`;
    if (diagnostic.file?.fileName !== source || diagnostic.start === undefined) {
      problems.forEach((list) => list.push(`${message} (in ${diagnostic.file?.fileName ?? "tsc"})`));
      continue;
    }
    const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    problems[firstLines.findLastIndex((first) => first <= line)].push(message);
  }
  return problems;
}

async function check(files) {
  const documents = readDocuments(files);
  const typed = [];
  for (const document of documents) {
    if (document.problems) {
      continue;
    }
    const { problem, model, typeModule, typeName } = await modelOf(document.object);
    if (problem) {
      document.problems = [problem];
      continue;
    }
    document.problems = schemaProblems(model, document.object);
    typed.push({ document, typeModule, typeName, object: document.object });
  }
  typeProblems(typed).forEach((problems, index) => typed[index].document.problems.push(...problems));
  return documents;
}

function describe(document) {
  const { kind, metadata } = document.object ?? {};
  return `${document.where} (${kind ?? "?"} ${metadata?.name ?? "?"})`;
}

async function main(args) {
  const expectInvalid = args[0] === "--expect-invalid";
  const files = expectInvalid ? args.slice(1) : args;
  if (files.length === 0) {
    console.error("usage: node validate.mjs [--expect-invalid] FILE...");
    return 2;
  }

  const documents = await check(files);
  let wrong = 0;
  for (const document of documents) {
    const valid = document.problems.length === 0;
    if (valid === !expectInvalid) {
      console.log(`ok    ${describe(document)}${valid ? "" : `: rejected, ${document.problems[0]}`}`);
      continue;
    }
    wrong++;
    console.log(`FAIL  ${describe(document)}${valid ? ": accepted, but it is broken" : ""}`);
    document.problems.forEach((problem) => console.log(`        ${problem}`));
  }
  const what = expectInvalid ? "rejected as expected" : "valid";
  console.log(`${basename(process.argv[1])}: ${documents.length - wrong} of ${documents.length} documents ${what}`);
  return wrong === 0 && documents.length > 0 ? 0 : 1;
}

process.exitCode = await main(process.argv.slice(2));
