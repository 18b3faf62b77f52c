// A host app's use of entra-connect, written as its README tells developers to.
import { connect, validate, preload, ConnectError } from 'entra-connect';

const result = document.querySelector('#result');

document.querySelector('#connect').addEventListener('click', async () => {
  result.textContent = 'open';
  try {
    const connection = await connect({
      endpoint: '/api/entra/connections',
      sessionToken: async () => 'consumer-test-session-token',
      appName: 'Consumer App',
    });
    result.textContent = `connected ${connection.connectionId}`;
  } catch (error) {
    result.textContent = `${error instanceof ConnectError ? 'ConnectError' : 'other error'} ${error.code ?? error.message}`;
  }
});

document.querySelector('#validate').addEventListener('click', async () => {
  await preload();
  const report = validate({ tenantId: 'common' });
  result.textContent = `validate ${report.fields.tenantId.error}`;
});
