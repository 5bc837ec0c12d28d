export {};
//# sourceMappingURL=system.js.map