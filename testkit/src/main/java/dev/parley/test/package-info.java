/**
 * Testing applications and implementations without sockets: {@link dev.parley.test.InProcessTransport}
 * and its {@link dev.parley.test.TestClient}; {@link dev.parley.test.Nodes}, several servers on one store;
 * {@link dev.parley.test.StoreContractTest}, the suite
 * every store must pass; and {@link dev.parley.test.TransportContractTest}, the suite every transport must
 * pass.
 */
@NullMarked
package dev.parley.test;

import org.jspecify.annotations.NullMarked;
