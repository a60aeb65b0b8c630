import LakehouseKit
public enum JournalServicePlaceholder {}
