import { beforeAll, describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import { ESLint } from "eslint";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

let eslint: ESLint;
beforeAll(() => {
  eslint = new ESLint({ cwd: ROOT });
});

/** The rule ids reported for `code` linted as if it were the file `filePath`. */
async function rulesFired(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${ROOT}${filePath}` });
  return (result?.messages ?? []).map((m) => m.ruleId ?? `fatal: ${m.message}`);
}

const NON_DETERMINISTIC: Record<string, string> = {
  "Date.now()": `export const t = (): number => Date.now();`,
  "new Date()": `export const d = (): number => new Date().getTime();`,
  "Math.random()": `export const r = (): number => Math.random();`,
  "Math.sin(x)": `export const s = (x: number): number => Math.sin(x);`,
  "Math.pow": `export const p = (x: number): number => Math.pow(x, 2);`,
  "destructured Math.log": `const { log } = Math;\nexport const l = (x: number): number => log(x);`,
  "globalThis.Date": `export const g = (): number => globalThis.Date.now();`,
};

describe("determinism bans", () => {
  for (const folder of ["src/contracts/modules", "src/consensus"]) {
    for (const [name, code] of Object.entries(NON_DETERMINISTIC)) {
      it(`rejects ${name} in ${folder}/`, async () => {
        const fired = await rulesFired(code, `${folder}/probe.ts`);
        expect(fired.some((r) => r.startsWith("no-restricted-"))).toBe(true);
        expect(fired.every((r) => r.startsWith("no-restricted-"))).toBe(true);
      });
    }
  }

  it("allows the same code in src/api/", async () => {
    for (const code of Object.values(NON_DETERMINISTIC)) {
      expect(await rulesFired(code, "src/api/probe.ts")).toEqual([]);
    }
  });

  it("says why in the message", async () => {
    const [result] = await eslint.lintText(NON_DETERMINISTIC["Math.sin(x)"]!, { filePath: `${ROOT}src/contracts/probe.ts` });
    expect(result?.messages[0]?.message).toMatch(/Determinism: .*differently across platforms/);
  });

  it("allows exact arithmetic and Math.sqrt in contracts", async () => {
    const code = `export const f = (a: number, b: number): number => Math.sqrt(a * a + b * b) / 2 - Math.abs(a) + Math.min(a, b);`;
    expect(await rulesFired(code, "src/contracts/probe.ts")).toEqual([]);
  });

  it("bans timers, process, performance and random bytes in contracts only", async () => {
    const code = [
      `import { randomBytes } from "node:crypto";`,
      `import { readFileSync } from "node:fs";`,
      `export const a = (): unknown => [setTimeout, setInterval, process.env, performance.now(), crypto.randomUUID(), randomBytes(8), readFileSync];`,
    ].join("\n");
    const inContracts = await rulesFired(code, "src/contracts/probe.ts");
    expect(inContracts.filter((r) => r === "no-restricted-imports")).toHaveLength(2);
    expect(inContracts.filter((r) => r === "no-restricted-globals")).toHaveLength(4);
    expect(inContracts.filter((r) => r === "no-restricted-properties")).toHaveLength(1);
    expect(await rulesFired(code, "src/consensus/probe.ts")).toEqual([]);
  });
});

describe("no explicit any", () => {
  it("rejects `as any` in src/", async () => {
    expect(await rulesFired(`export const x = (v: unknown): number => (v as any).n;`, "src/api/probe.ts")).toEqual([
      "@typescript-eslint/no-explicit-any",
    ]);
  });
});
