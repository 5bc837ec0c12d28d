export function timePolicy() {
    let seen = 0;
    return {
        name: 'time',
        cause: 'delay',
        begin() { seen = 0; },
        decide() { seen++; return 0; },
        summary: () => ({ policy: 'time', interestingSteps: seen, decisions: 0, stallCycles: 0 }),
    };
}
//# sourceMappingURL=time.js.map