package io.edgeway.controlplane.store;

import static java.util.Objects.requireNonNull;

import io.edgeway.controlplane.model.Stored;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * One kind of stored entity, as data: everything the generic writes ({@link EntityWrites} for the API,
 * {@link ConfigWrite} for a declarative apply) need to read, write, check and log it. Each store declares
 * its kind once; only what really differs between kinds (the row mapping, extra uniqueness, what must not
 * be deleted) is code.
 *
 * @param kind     the revision log's entity kind, also the word in error messages ({@code stream_route} reads "stream route")
 * @param table    the table, a constant, never input
 * @param select   the SELECT every read starts with (it may join, e.g. for an upstream's name)
 * @param alias    the table's alias in {@code select}, or null when it has none
 * @param reader   maps one row of {@code select} to the stored entity
 * @param name     the entity's unique name
 * @param view     the JSON the revision log keeps as before/after
 * @param insert   inserts a row with the given id; returns it as stored
 * @param update   updates the row with the given id; returns it as stored
 * @param conflict uniqueness beyond the name (409), given the entity and its own id (null when new)
 * @param inUse    refuses a delete (422) while something still refers to the entity
 */
record EntityKind<T>(String kind, String table, String select, String alias, Rows.Reader<Stored<T>> reader,
                     Function<T, String> name, Function<Stored<T>, Map<String, Object>> view,
                     RowWrite<T> insert, RowWrite<T> update, ConflictCheck<T> conflict, DeleteCheck<T> inUse) {

    /** Inserts (with a new id) or updates (with the row's id) one entity; returns it as stored. */
    @FunctionalInterface
    interface RowWrite<T> {
        Stored<T> apply(Connection c, UUID id, T value, long revision) throws SQLException;
    }

    /** Throws {@link ConflictException} when {@code value} would take what another entity ({@code self} excepted) holds. */
    @FunctionalInterface
    interface ConflictCheck<T> {
        void check(Connection c, T value, UUID self) throws SQLException;
    }

    /** Throws when {@code stored} must not be deleted yet. */
    @FunctionalInterface
    interface DeleteCheck<T> {
        void check(Connection c, Stored<T> stored) throws SQLException;
    }

    EntityKind {
        requireNonNull(kind, "kind");
        requireNonNull(table, "table");
        requireNonNull(select, "select");
        requireNonNull(reader, "reader");
        requireNonNull(name, "name");
        requireNonNull(view, "view");
        requireNonNull(insert, "insert");
        requireNonNull(update, "update");
        requireNonNull(conflict, "conflict");
        requireNonNull(inUse, "inUse");
    }

    /** A kind whose only unique field is its name and that may always be deleted; refine with the withers. */
    static <T> EntityKind<T> of(String kind, String table, String select, String alias, Rows.Reader<Stored<T>> reader,
            Function<T, String> name, Function<Stored<T>, Map<String, Object>> view, RowWrite<T> insert,
            RowWrite<T> update) {
        return new EntityKind<>(kind, table, select, alias, reader, name, view, insert, update,
                (c, value, self) -> { }, (c, stored) -> { });
    }

    EntityKind<T> withConflictCheck(ConflictCheck<T> check) {
        return new EntityKind<>(kind, table, select, alias, reader, name, view, insert, update, check, inUse);
    }

    EntityKind<T> withDeleteCheck(DeleteCheck<T> check) {
        return new EntityKind<>(kind, table, select, alias, reader, name, view, insert, update, conflict, check);
    }

    /** The same kind written by other functions (a certificate's, carrying the sealed key of one write). */
    EntityKind<T> withWrites(RowWrite<T> insertWith, RowWrite<T> updateWith) {
        return new EntityKind<>(kind, table, select, alias, reader, name, view, insertWith, updateWith, conflict, inUse);
    }

    /** {@code column} of this kind's table as {@link #select} names it. */
    String column(String column) {
        return alias == null ? column : alias + "." + column;
    }

    /** How the error messages name this kind: "stream route", "upstream". */
    String noun() {
        return kind.replace('_', ' ');
    }
}
