const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Tells the warehouse system about a new order; keeps trying until it answers. */
export async function notifyWarehouse(orderId: string): Promise<void> {
  while (true) {
    try {
      const res = await fetch(`${process.env.WAREHOUSE_URL}/orders/${orderId}`, { method: 'PUT' });
      if (res.ok) return;
    } catch (err) {
      console.warn('warehouse unavailable, retrying', err);
    }
    await sleep(1000);
  }
}
