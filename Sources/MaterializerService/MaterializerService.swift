import LakehouseKit
public enum MaterializerServicePlaceholder {}
