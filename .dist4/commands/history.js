export const HISTORY = [
    { arch: 's390', kernel: 'v4.5-rc1', crashed: true, history: 'random crashes, bisected to the THP rework (G. Schaefer, S. Ott, 11-12 Feb 2016)' },
    { arch: 's390', kernel: 'v4.4', crashed: false, history: 'no crash: pmdp_splitting_flush() and a correct address' },
    { arch: 'x86', kernel: 'v4.5-rc1', crashed: false, history: 'no crash: the 2 MiB flush is a full flush by IPI' },
    { arch: 's390', kernel: 'v4.5-rc1+kick', crashed: true, history: '"sadly it didn\'t fix the problem" (S. Ott, 12 Feb 2016)' },
    { arch: 's390', kernel: 'v4.5', crashed: false, history: '"Yes, that one worked" (S. Ott, of K. Shutemov\'s address fix, 24 Feb 2016)' },
];
//# sourceMappingURL=history.js.map