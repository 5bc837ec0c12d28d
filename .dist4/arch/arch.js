/** Result of a user access: the physical address, or a fault. */
export const FAULT = -1;
//# sourceMappingURL=arch.js.map