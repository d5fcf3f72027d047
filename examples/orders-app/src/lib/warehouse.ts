import axios from 'axios';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const warehouse = axios.create({ baseURL: 'https://partner-warehouse.example.com', timeout: 5_000 });

/** Tells the warehouse about a new order; keeps trying until it answers (a POST without an idempotency key). */
export async function notifyWarehouse(orderId: string): Promise<void> {
  while (true) {
    try {
      await warehouse.post('/shipments', { orderId });
      return;
    } catch (err) {
      console.warn('warehouse unavailable, retrying', err);
    }
    await sleep(1000);
  }
}
