// The published types of a package must be usable: every type that an exported declaration mentions is itself
// exported from the package entry point (otherwise users can see it in a signature but cannot name it).
import path from 'node:path';
import ts from 'typescript';

/** Type references, `typeof` queries and `extends`/`implements` clauses: the nodes that name another declaration. */
const NAMING_NODES = new Set([
  ts.SyntaxKind.TypeReference,
  ts.SyntaxKind.ExpressionWithTypeArguments,
  ts.SyntaxKind.TypeQuery,
  ts.SyntaxKind.ImportType,
]);

/** @param {ts.Node} node */
const isPrivateMember = (node) =>
  (ts.canHaveModifiers(node) ? (ts.getModifiers(node) ?? []) : []).some(
    (m) => m.kind === ts.SyntaxKind.PrivateKeyword,
  ) || /** @type {{ name?: ts.Node }} */ (node).name?.kind === ts.SyntaxKind.PrivateIdentifier;

/**
 * Names mentioned by the public declarations reachable from `typesEntry` (a `.d.ts`) that are declared inside
 * `packageDir` but not exported by the entry point.
 * @param {string} typesEntry absolute path of the package's `exports["."].types`
 * @param {string} packageDir absolute path of the package (declarations under it count as the package's own)
 * @returns {string[]} one problem per unexported name, with where it is declared and who mentions it
 */
export function unexportedPublicTypes(typesEntry, packageDir) {
  const program = ts.createProgram([typesEntry], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2023,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    // Only the package's own declarations matter; @types/node still comes in wherever a .d.ts references it.
    types: [],
  });
  const checker = program.getTypeChecker();
  const entry = program.getSourceFile(typesEntry);
  if (!entry) return [`${typesEntry}: not found`];
  const moduleSymbol = checker.getSymbolAtLocation(entry);
  if (!moduleSymbol) return [`${typesEntry}: not a module`];

  /** @param {ts.Symbol} symbol */
  const resolve = (symbol) => (symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol);
  const exported = new Set(checker.getExportsOfModule(moduleSymbol).map(resolve));
  const ownDeclarations = (/** @type {ts.Symbol} */ symbol) =>
    (symbol.declarations ?? []).filter((d) => {
      const file = d.getSourceFile().fileName;
      return file.startsWith(packageDir + path.sep) && !file.includes(`${path.sep}node_modules${path.sep}`);
    });

  const problems = new Map();
  const visited = new Set();
  const queue = [...exported];
  while (queue.length > 0) {
    const symbol = /** @type {ts.Symbol} */ (queue.shift());
    if (visited.has(symbol)) continue;
    visited.add(symbol);
    for (const declaration of ownDeclarations(symbol)) {
      /** @param {ts.Node} node */
      const visit = (node) => {
        if (node !== declaration && isPrivateMember(node)) return;
        if (NAMING_NODES.has(node.kind)) {
          const target = namedSymbol(checker, node);
          if (target) {
            const resolved = resolve(target);
            const own = ownDeclarations(resolved);
            const isTypeParameter = own.some((d) => d.kind === ts.SyntaxKind.TypeParameter);
            // A base class need not be nameable (its public members are checked below), a parameter type must.
            const isBase = node.parent?.kind === ts.SyntaxKind.HeritageClause;
            if (own.length > 0 && !isTypeParameter && !isBase && !exported.has(resolved) && !problems.has(resolved)) {
              const where = path.relative(packageDir, own[0].getSourceFile().fileName);
              problems.set(
                resolved,
                `${resolved.getName()} (${where}) is used by ${symbol.getName()} but not exported`,
              );
            }
            if (own.length > 0 && !isTypeParameter) queue.push(resolved);
          }
        }
        ts.forEachChild(node, visit);
      };
      visit(declaration);
    }
  }
  return [...problems.values()];
}

/**
 * @param {ts.TypeChecker} checker
 * @param {ts.Node} node one of NAMING_NODES
 * @returns {ts.Symbol | undefined}
 */
function namedSymbol(checker, node) {
  if (ts.isTypeReferenceNode(node)) return checker.getSymbolAtLocation(node.typeName);
  if (ts.isExpressionWithTypeArguments(node)) return checker.getSymbolAtLocation(node.expression);
  if (ts.isTypeQueryNode(node)) return checker.getSymbolAtLocation(node.exprName);
  if (ts.isImportTypeNode(node) && node.qualifier) return checker.getSymbolAtLocation(node.qualifier);
  return undefined;
}

/**
 * Type errors an app gets from a package's published declarations when the packages `absent` (optional peer
 * dependencies the app did not install) cannot be found, with library checking on (`skipLibCheck: false`).
 * Only the package's own declarations and `consumer` are checked (other packages' declarations are theirs to
 * keep sound, and checking them would take most of the time).
 * @param {object} check
 * @param {string} check.packageDir absolute path of the package (its `package.json` names and exports it)
 * @param {string} check.typesEntry absolute path of its `exports["."].types`
 * @param {string[]} check.absent package names that do not resolve, as in an app that lacks them
 * @param {string} [check.consumer] source of an app module that imports the package by name (`.mts`, placed
 *   in `packageDir` so the import resolves through the package's own `exports`)
 * @returns {string[]} one `file(line,col): error TSnnnn: message` per error, paths relative to `packageDir`
 */
export function typeErrorsWithout({ packageDir, typesEntry, absent, consumer }) {
  const options = {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2023,
    lib: ['lib.es2023.d.ts'],
    strict: true,
    skipLibCheck: false,
    noEmit: true,
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    types: ['node'],
  };
  const consumerFile = path.join(packageDir, 'type-check-consumer.mts');
  const host = ts.createCompilerHost(options);
  const { fileExists, readFile, getSourceFile } = host;
  if (consumer !== undefined) {
    host.fileExists = (file) => file === consumerFile || fileExists.call(host, file);
    host.readFile = (file) => (file === consumerFile ? consumer : readFile.call(host, file));
    host.getSourceFile = (file, language, ...rest) =>
      file === consumerFile
        ? ts.createSourceFile(file, consumer, language)
        : getSourceFile.call(host, file, language, ...rest);
  }
  const isAbsent = (/** @type {string} */ name) => absent.some((p) => name === p || name.startsWith(`${p}/`));
  host.resolveModuleNameLiterals = (literals, containingFile, redirectedReference, compilerOptions, file) =>
    literals.map((literal) =>
      isAbsent(literal.text)
        ? { resolvedModule: undefined }
        : ts.resolveModuleName(
            literal.text,
            containingFile,
            compilerOptions,
            host,
            undefined,
            redirectedReference,
            ts.getModeForUsageLocation(file, literal, compilerOptions),
          ),
    );

  const roots = consumer === undefined ? [typesEntry] : [typesEntry, consumerFile];
  const program = ts.createProgram(roots, options, host);
  const own = program
    .getSourceFiles()
    .filter(
      (f) => f.fileName.startsWith(packageDir + path.sep) && !f.fileName.includes(`${path.sep}node_modules${path.sep}`),
    );
  const diagnostics = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...own.flatMap((f) => [...program.getSyntacticDiagnostics(f), ...program.getSemanticDiagnostics(f)]),
  ];
  return diagnostics.map((d) =>
    ts
      .formatDiagnostic(d, {
        getCanonicalFileName: (f) => f,
        getCurrentDirectory: () => packageDir,
        getNewLine: () => '\n',
      })
      .trim(),
  );
}
