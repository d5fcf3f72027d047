export const handler = async (order: { lines: { sku: string; quantity: number }[] }) => {
  const total = order.lines.reduce((sum, line) => sum + line.quantity * 10, 0);
  return { total };
};
