export const handler = async (): Promise<{ reconciled: number }> => ({ reconciled: 0 });
