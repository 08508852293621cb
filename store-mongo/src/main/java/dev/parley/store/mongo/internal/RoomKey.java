package dev.parley.store.mongo.internal;

/** A room of a namespace. */
public record RoomKey(String namespace, String room) {
}
