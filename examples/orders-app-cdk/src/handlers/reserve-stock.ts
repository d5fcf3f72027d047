export const handler = async (input: { orderId: string }): Promise<{ orderId: string; reserved: boolean }> => ({ orderId: input.orderId, reserved: true });
