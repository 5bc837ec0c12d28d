// The layers, bottom up: the machine core (emulator/) knows nothing above it;
// arch/ and kernel-sim/ and workloads/ model what runs on the machine; system/
// assembles a run from them; commands/ and bench/ use runs. Checked by
// test/deps.test.ts (`npx depcruise --config .dependency-cruiser.cjs ...`).
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'no import cycle, type-only imports included', from: {}, to: { circular: true } },
    {
      name: 'core-stays-below', severity: 'error',
      comment: 'the machine core is told what to hold and run; it imports nothing of the layers above it',
      from: { path: '^emulator/' }, to: { path: '^(arch|kernel-sim|workloads|system|commands|bench)/' },
    },
    {
      name: 'models-below-assembly', severity: 'error',
      comment: 'arch, kernel and workloads do not reach into the assembly, the commands or the benchmarks',
      from: { path: '^(arch|kernel-sim|workloads)/' }, to: { path: '^(system|commands|bench)/' },
    },
    {
      name: 'assembly-below-commands', severity: 'error',
      comment: 'system/ assembles runs; the commands and benchmarks use it, not the other way',
      from: { path: '^system/' }, to: { path: '^(commands|bench)/' },
    },
  ],
  options: {
    tsConfig: { fileName: 'tsconfig.json' },
    // type-only imports count: a cycle through types is still a cycle in the design
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
  },
};
