declare global {
  namespace App {
    /** A page load's failure (lib/api/load.ts): the API's problem code and message, and its request id if any. */
    interface Error {
      message: string;
      code?: string;
      requestId?: string;
    }
  }
}
export {};
