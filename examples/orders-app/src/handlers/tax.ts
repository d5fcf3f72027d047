export const handler = async (order: { subtotal: number }) => ({ amount: Math.round(order.subtotal * 0.2) });
